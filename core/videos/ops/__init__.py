"""Local edit operations on library videos: loop, blend, recut, and the storyboard the toolbar shows.

Each operation is a pure function from source files to a new browser-playable MP4 at a constant
frame rate (``loop.py``, ``blend.py``, ``recut.py``); they share how a source is indexed and decoded
(``source.py``), how pictures are mixed (``mix.py``), where frames are written (``output.py``) and
how packets are copied without re-encoding (``remux.py``). Sources are only read.
"""
