from services.contracts.app import create_app

app = create_app()
