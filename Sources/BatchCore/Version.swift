/// The version every program reports (`--version`, registrations, /health).
public let batchVersion = "0.1.0"
