from services.reporting.app import create_app

app = create_app()
