#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pushguard::fuzzing::hook_stdin(data));
