"""Videos: create (``create``, ``plan``, ``prompt``), the library (``library``, ``imports``), edit
requests (``edits``) and their typed ``operations``, the job runner (``jobs``), the back-ends
(``backends``), the PyAV layer (``av``) and the local edit operations (``ops``).

Nothing here imports av, numpy or an SDK at package import time."""
