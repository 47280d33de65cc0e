//! Fuzz target `firehose_event`: see [`pixelstream_fuzz::checks::firehose_event`].

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pixelstream_fuzz::checks::firehose_event(data));
