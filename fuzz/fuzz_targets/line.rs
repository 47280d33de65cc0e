//! Fuzz target `line`: see [`pixelstream_fuzz::checks::line`].

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pixelstream_fuzz::checks::line(data));
