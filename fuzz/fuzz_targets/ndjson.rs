//! Fuzz target `ndjson`: see [`pixelstream_fuzz::checks::ndjson`].

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pixelstream_fuzz::checks::ndjson(data));
