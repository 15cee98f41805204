from privacy.registry import register

register("nettportal.BackgroundJob", category="jobs", retention="jobs")
