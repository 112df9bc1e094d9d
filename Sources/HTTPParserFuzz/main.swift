// libFuzzer entry point (see make fuzz).
