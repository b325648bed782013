"""Media Studio: page config and navigation when Streamlit runs the script; when the server imports
it, the ``st.App`` that adds the studio's own routes (``core/routes.py``) beside Streamlit's.

Sign-in (``core/access.py``): a server refuses to start on any address but loopback unless the
secrets configure ``st.login``; when they do, a browser that has not signed in gets only the
sign-in screen (``ui/sign_in.py``), before any page, job runner or database is touched."""

import streamlit as st

if __name__ == "__main__":  # a script run, in a browser session
    from ui import sign_in

    st.set_page_config(page_title="Media Studio", page_icon=":material/movie:", layout="wide")

    signed_out = sign_in.signed_out()
    navigation = st.navigation(
        [
            st.Page("pages/caption_studio.py", title="Caption Studio", icon=":material/image:", default=True),
            st.Page("pages/explore.py", title="Explore", icon=":material/explore:", url_path="explore"),
            st.Page("pages/create_video.py", title="Create video", icon=":material/movie:", url_path="create_video"),
            st.Page("pages/storyboard.py", title="Storyboard", icon=":material/view_timeline:", url_path="storyboard"),
            st.Page("pages/my_videos.py", title="Library", icon=":material/video_library:", url_path="my_videos"),
            st.Page("pages/history.py", title="History", icon=":material/history:", url_path="history"),
            st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
        ],
        position="hidden" if signed_out else "sidebar",  # still called: it ends Streamlit's pages/-folder mode
    )
    if signed_out:
        sign_in.screen()  # instead of the page: nothing of the studio runs
    else:
        sign_in.signed_in_sidebar()
        navigation.run()
else:  # imported by the server `streamlit run` starts (it finds `app` below)
    import sys

    from core import access
    from core.routes import ROUTES

    refused = access.refusal(st.get_option("server.address"), access.auth_settings())
    if refused:  # one sentence, no traceback: the server has not served anything yet
        print(refused, file=sys.stderr)
        raise SystemExit(1)

    from streamlit.runtime.pages_manager import PagesManager

    # Every run starts in this script (and its sign-in gate), never in a pages/ file: Streamlit
    # would otherwise run /my_videos straight from pages/ until st.navigation first runs.
    PagesManager.uses_pages_directory = False

    app = st.App("streamlit_app.py", routes=ROUTES)
