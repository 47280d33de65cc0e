//! Fuzz target `decode`: see [`pixelstream_fuzz::checks::decode`].

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pixelstream_fuzz::checks::decode(data));
