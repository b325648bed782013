"""Media Studio: page config and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Media Studio", page_icon=":material/movie:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/caption_studio.py", title="Caption Studio", icon=":material/image:", default=True),
        st.Page("pages/history.py", title="History", icon=":material/history:", url_path="history"),
    ]
)
navigation.run()
