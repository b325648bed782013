"""Media Studio: page config and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Media Studio", page_icon=":material/movie:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/caption_studio.py", title="Caption Studio", icon=":material/image:", default=True),
        st.Page("pages/explore.py", title="Explore", icon=":material/explore:", url_path="explore"),
        st.Page("pages/create_video.py", title="Create video", icon=":material/movie:", url_path="create_video"),
        st.Page("pages/storyboard.py", title="Storyboard", icon=":material/view_timeline:", url_path="storyboard"),
        st.Page("pages/my_videos.py", title="Library", icon=":material/video_library:", url_path="my_videos"),
        st.Page("pages/history.py", title="History", icon=":material/history:", url_path="history"),
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
    ]
)
navigation.run()
