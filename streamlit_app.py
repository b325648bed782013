"""Media Studio: page config and navigation when Streamlit runs the script; when the server imports
it, the ``st.App`` that adds the studio's own routes (``core/routes.py``) beside Streamlit's."""

import streamlit as st

if __name__ == "__main__":  # a script run, in a browser session
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
else:  # imported by the server `streamlit run` starts (it finds `app` below)
    from core.routes import ROUTES

    app = st.App("streamlit_app.py", routes=ROUTES)
