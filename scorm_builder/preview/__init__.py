"""`scorm-builder preview`: the course served on this machine with a strict SCORM 1.2 LMS."""
