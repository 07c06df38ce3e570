from serial_console_kernel.engine.masking import Secrets
from serial_console_kernel.engine.transcript import Transcript


def test_transcript_appends_and_masks_secrets_split_across_chunks(tmp_path):
    path = tmp_path / "t.log"
    transcript = Transcript(path)
    transcript.set_secrets(Secrets("letmein"))
    for chunk in (b"Password: let", b"me", b"in\r\nok\r\npartial \xff"):
        transcript.write(chunk)
    transcript.close()
    text = path.read_bytes().decode()
    assert "letmein" not in text
    assert text == "Password: *******\r\nok\r\npartial \ufffd"


def test_the_log_masks_what_a_terminal_would_show(tmp_path):
    path = tmp_path / "t.log"
    transcript = Transcript(path)
    transcript.set_secrets(Secrets("S3cr3t-Xyz!"))
    flood = b"y" * 65530
    for chunk in (flood + b"S3cr", b"3t-Xyz! after a 64 KB boundary\r\n",  # no newline for 64 KB
                  b"colours S3c\x1b[1mr3t\x1b[0m-Xyz!\r\n",  # the echo carries SGR codes
                  b"backspace S3cX\br3t-Xyz!\r\n",           # a typo taken back
                  b"moves S3cr\x1b[C\x1b[D3t-Xyz!\r\n",       # cursor moves in the middle
                  b"case s3CR3T-xyz!\r\n", b"title \x1b]0;S3cr3t-Xyz!\x07\r\n"):
        transcript.write(chunk)
    transcript.close()
    text = path.read_text().lower()
    assert "s3cr" not in text and "3t-xyz" not in text
    assert text.count("*" * 11) == 6


def test_notes_are_marked(tmp_path):
    transcript = Transcript(tmp_path / "t.log")
    transcript.note("connected to loop://")
    transcript.close()
    assert "[serial-console] connected to loop://" in (tmp_path / "t.log").read_text()
