"""What the studio does: image preparation, captioning pipelines, providers and exports.

Pages call into this package; it never imports Streamlit at module import time.
"""
