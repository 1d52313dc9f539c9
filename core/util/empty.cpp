// empty.cpp - placeholder source for a library folder that has no code yet.
