from serial_console_kernel.transcript import Transcript


def test_transcript_appends_and_masks_secrets_split_across_chunks(tmp_path):
    path = tmp_path / "t.log"
    transcript = Transcript(path)
    transcript.set_secrets(("letmein",))
    for chunk in (b"Password: let", b"me", b"in\r\nok\r\npartial \xff"):
        transcript.write(chunk)
    transcript.close()
    text = path.read_bytes().decode()
    assert "letmein" not in text
    assert "Password: *******\r\nok\r\npartial \ufffd" == text


def test_notes_are_marked(tmp_path):
    transcript = Transcript(tmp_path / "t.log")
    transcript.note("connected to loop://")
    transcript.close()
    assert "[serial-console] connected to loop://" in (tmp_path / "t.log").read_text()
