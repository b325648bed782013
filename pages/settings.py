"""Settings: for each back-end, whether it is configured and from where, fields to set it (saved to
the secrets file only), "Test connection"; video prices; the data folder's location and size; and
the job workers' health."""

import streamlit as st

import ui
from core import connections, data_usage
from core.secrets_file import SecretsFileError, target_path
from core.videos import create, image_sets
from ui.plans import plan_section
from ui.workers import workers_section

ui.page_header("Settings", "Connect the back-ends, test them, and see how much room the studio takes.")
studio = ui.studio()
secrets_at = target_path()
st.caption(
    "Saved settings go to this file only (readable by you alone), never to the database, the logs or an export; "
    "keys are shown masked. A setting in the environment wins over the file."
)
st.code(str(secrets_at), language=None)  # a path, not a secret (though MEDIA_STUDIO_SECRETS's name says so)

flash = st.session_state.pop("settings_flash", None)
if flash:
    st.success(ui.plain(flash))


def save_and_apply(values: dict[str, str | None], forget: bool = False) -> None:
    names = [n for n, v in values.items() if v]
    if not names and not forget:
        st.info("Nothing to save: every field was empty.")
        return
    try:
        if forget:
            connections.clear(list(values))
        else:
            connections.save(values)
    except SecretsFileError as exc:
        st.error(ui.plain(exc.message))
        return
    connections.apply_saved_settings(studio)
    what = "Removed the saved settings" if forget else f"Saved {', '.join(names)}"
    st.session_state["settings_flash"] = f"{what} in the secrets file; the studio uses them from now on."
    st.rerun()


def source(view: connections.FieldView) -> str:
    if view.source_path is None or view.source_path == secrets_at:
        return view.source
    return f"{view.source} `{str(view.source_path).replace('`', '')}`"


for backend in connections.BACKENDS:
    status = connections.status(backend.key, studio.settings)
    views = connections.field_views(backend.key, studio.settings)
    with st.container(border=True, key=f"settings-{backend.key}"):
        st.subheader(backend.label)
        if status.configured:
            st.markdown(f":material/check_circle: Configured: {ui.plain(status.reason)}")
        else:
            st.markdown(f":material/warning: Not configured: {ui.plain(status.reason)}")
        st.markdown(
            "\n".join(
                f"- **{ui.plain(v.field.label)}** (`{v.field.name}`): "
                f"{ui.plain(v.shown) if v.shown else '—'} · {source(v)}"
                for v in views
            )
        )
        with st.form(f"settings-form-{backend.key}", clear_on_submit=True, border=False):
            values: dict[str, str | None] = {}
            for view in views:
                field = view.field
                values[field.name] = st.text_input(
                    field.label,
                    type="password" if field.secret else "default",
                    placeholder=view.shown or field.help,  # masked for keys: the key itself never reaches the page
                    disabled=view.from_environment,
                    help="Set in the environment, which wins over the file." if view.from_environment else field.help,
                    key=f"settings-{field.name}",
                )
            saved = st.form_submit_button("Save", icon=":material/save:")
        if saved:
            save_and_apply(values)
        test_col, forget_col = st.columns([1, 1])
        if test_col.button("Test connection", key=f"settings-test-{backend.key}", icon=":material/network_check:"):
            with st.spinner("Testing the connection…"):
                result = connections.check_connection(backend.key, studio.settings)
            (st.success if result.ok else st.error)(ui.plain(result.sentence))
        if forget_col.button("Remove saved settings", key=f"settings-forget-{backend.key}", icon=":material/delete:"):
            save_and_apply({v.field.name: None for v in views}, forget=True)

plan_section(studio)

st.subheader("Video prices")
image_prices = image_sets.image_prices(studio)
current_prices = {m: p for m, p in create.prices(studio).items() if m not in image_prices}  # image models: below
with st.form("settings-prices", border=False):
    st.caption("US dollars per second of video, for the estimate on Create video and “Spent so far”.")
    new_prices = {
        model: st.number_input(model, min_value=0.0, value=float(price), step=0.01, key=f"settings-price-{model}")
        for model, price in sorted(current_prices.items())
    }
    if st.form_submit_button("Save prices", icon=":material/save:"):
        for model, price in new_prices.items():
            if price != current_prices[model]:
                create.set_price(studio, model, price)
        st.success("Saved the prices.")

if image_prices:
    st.subheader("Image prices")
    with st.form("settings-image-prices", border=False):
        st.caption("US dollars per image, for the estimate on Create video (Type: Image) and “Spent so far”.")
        new_image_prices = {
            model: st.number_input(model, min_value=0.0, value=price, step=0.01, key=f"settings-image-price-{model}")
            for model, price in sorted(image_prices.items())
        }
        if st.form_submit_button("Save image prices", icon=":material/save:"):
            for model, price in new_image_prices.items():
                if price != image_prices[model]:
                    image_sets.set_image_price(studio, model, price)
            st.success("Saved the image prices.")

st.subheader("Data folder")
usage = data_usage.data_usage(studio)
st.markdown("Location:")
st.code(str(usage.home), language=None)
media_col, db_col, trash_col = st.columns(3)
media_col.metric("Media", data_usage.human_size(usage.media_bytes))
db_col.metric(
    "Database", data_usage.human_size(usage.database_bytes) if usage.database_bytes is not None else "not a file"
)
trash_col.metric("Trash", usage.trash_label)
st.caption("Media includes the files of what is in the Trash until the Trash is emptied (History → Trash).")

workers_section()
