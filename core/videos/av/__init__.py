"""Audio/video plumbing on PyAV: reading, probing, validating, writing browser-playable MP4, previews."""
