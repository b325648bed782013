"""Media Studio: page config and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Media Studio", page_icon=":material/movie:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/caption_studio.py", title="Caption Studio", icon=":material/image:", default=True),
        st.Page("pages/create_video.py", title="Create video", icon=":material/movie:", url_path="create_video"),
        st.Page("pages/my_videos.py", title="My Videos", icon=":material/video_library:", url_path="my_videos"),
        st.Page("pages/history.py", title="History", icon=":material/history:", url_path="history"),
    ]
)
navigation.run()
