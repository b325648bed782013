"""Captions: the pipeline Caption Studio calls (``service``), styles, image validation and
encoding (``images``), the providers behind one protocol (``providers``) and the offline
vision models (``vision``)."""
