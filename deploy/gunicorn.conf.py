"""gunicorn settings for the application servers of deploy/start.sh (bind, workers and threads come on the command line)."""

timeout = 120
graceful_timeout = 20
backlog = 2048
keepalive = 75  # longer than nginx's upstream keepalive_timeout: no 502 from a reused, just-closed connection
accesslog = "-"
# One JSON object per request; the request id is the one nginx sets.
access_log_format = ('{"time":"%(t)s","method":"%(m)s","path":"%(U)s","status":%(s)s,"ms":%(M)s,'
                     '"bytes":"%(B)s","request_id":"%({x-request-id}i)s"}')
