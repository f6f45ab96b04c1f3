"""Build SCORM 1.2 packages from Markdown lessons and quiz files."""
