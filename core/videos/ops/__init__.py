"""Local edit operations on video files: loop, blend, recut and the storyboard frames they show."""
