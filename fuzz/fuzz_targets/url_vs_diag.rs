#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pushguard_fuzz::url_vs_diag(data));
