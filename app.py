from pmg import create_app

app = create_app()
