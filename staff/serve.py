"""Serves the staff console with waitress: `python -m staff.serve` (bin/run-all starts it on :8000)."""

import argparse
import logging
import logging.config
import os
import threading

from waitress import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("STAFF_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("STAFF_PORT", "8000")))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staff.settings")
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    logging.config.dictConfig(settings.LOGGING)
    from staff.escalations.replies import run_sender_loop

    # Staff replies held for the recipient's quiet hours go out from here at 8 am their time.
    threading.Thread(target=run_sender_loop, args=(threading.Event(),), name="scheduled-replies", daemon=True).start()
    logging.getLogger(__name__).info("event=staff.serving port=%d", args.port)
    serve(application, host=args.host, port=args.port, threads=4, ident="staff-console")


if __name__ == "__main__":
    main()
