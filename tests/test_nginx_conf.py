"""The nginx template for several Rasa replicas (deploy/nginx.conf)."""

import shutil
import subprocess

import pytest

from clinic.nginx_conf import TEMPLATE, render
from tests.prod_services import require_binary


def test_every_replica_is_in_both_upstreams_and_socketio_is_sticky(tmp_path):
    config = render("127.0.0.1:8443", ["127.0.0.1:5006", "127.0.0.1:5007"], tmp_path)
    assert config.count("server 127.0.0.1:5006;") == 2 and config.count("server 127.0.0.1:5007;") == 2
    socketio_upstream = config.split("upstream rasa_socketio {")[1].split("}")[0]
    assert "ip_hash;" in socketio_upstream
    assert "listen 127.0.0.1:8443;" in config and f"pid {tmp_path.resolve()}/nginx.pid;" in config
    assert "${" not in config and "$http_upgrade" in config  # nginx's own variables are left alone


def test_nginx_accepts_the_rendered_config(tmp_path):
    nginx = require_binary("nginx", "nginx")
    (tmp_path / "nginx.conf").write_text(render("127.0.0.1:8443", ["127.0.0.1:5006"], tmp_path))
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_unknown_placeholders_and_no_replicas_are_errors(tmp_path):
    with pytest.raises(ValueError):
        render("8443", [], tmp_path)
    template = tmp_path / "template.conf"
    shutil.copy(TEMPLATE, template)
    template.write_text(template.read_text() + "# ${NOT_A_SETTING}\n")
    with pytest.raises(KeyError, match="NOT_A_SETTING"):
        render("8443", ["127.0.0.1:5006"], tmp_path, template=template)
