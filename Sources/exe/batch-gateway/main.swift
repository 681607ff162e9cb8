import Gateway

await GatewayDaemon.main()
