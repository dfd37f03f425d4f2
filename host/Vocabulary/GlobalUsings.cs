// The shared vocabulary (reason words, error and exit codes) is below every room: every file may use it.
global using MfaHost.Vocabulary;
