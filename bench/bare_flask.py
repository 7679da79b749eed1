"""The issue's reference baseline: a bare Flask JSON route (no hooks, no logs, no metrics), which the issue
measured at ≈ 7,000 req/s with gunicorn 2 workers and wrk -c32 on its reference machine. The writes bench
serves it the same way (`gunicorn --workers 2`, gunicorn's default worker) to scale the issue's absolute
targets to this machine."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def hello():
    return jsonify({"status": "ok"})
