#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pushguard::fuzzing::ssh_lex(data));
