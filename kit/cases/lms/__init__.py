"""Cases for a learning platform (LMS): the library or a course leader's file as question
files Moodle, KS Læring, Canvas, Blackboard, Inspera, itslearning and H5P platforms import.

Pure: one item model (:mod:`kit.cases.lms.items`, a question per case and language, graded by
:mod:`kit.cases.grading`) and a writer per format. :func:`kit.cases.lms.export.export_files`
is the one entry point the command line and the classification app use.
"""
