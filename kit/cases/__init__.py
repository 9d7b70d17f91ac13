"""Cases: the case type, the library, teachers' case files and the case-set picker."""
