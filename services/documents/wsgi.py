from services.documents.app import create_app

app = create_app()
