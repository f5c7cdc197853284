"""Page scripts run by st.navigation, one file per page (not named pages/: that would turn on
Streamlit's older file-based navigation)."""
