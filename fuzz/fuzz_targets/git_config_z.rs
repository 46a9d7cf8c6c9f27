#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pushguard::fuzzing::git_config_z(data));
