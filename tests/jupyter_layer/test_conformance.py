"""The official Jupyter kernel conformance suite, for what this kernel supports."""

import unittest

import jupyter_kernel_test


class SerialConsoleConformance(jupyter_kernel_test.KernelTests):
    kernel_name = "serial-console"
    language_name = "serial-console"
    file_extension = ".txt"
    code_hello_world = "%echo hello, world"
    code_generate_error = "%nosuchmagic"
    code_display_data = [{"code": "%connect loop://", "mime": "text/html"}]
    completion_samples = [{"text": "%conn", "matches": {"%connect"}}]
    complete_code_samples = ["%status", "dir"]
    incomplete_code_samples = ["%echo continued \\"]
    code_inspect_sample = "%connect"

    # Not features of a console kernel: no stderr, pager, execute_result, history or clear_output.
    test_execute_stderr = None
    test_pager = None
    test_execute_result = None
    test_history = None
    test_clear_output = None


if __name__ == "__main__":
    unittest.main()
