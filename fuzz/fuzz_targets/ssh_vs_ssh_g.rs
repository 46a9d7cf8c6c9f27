#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pushguard_fuzz::ssh_vs_ssh_g(data));
