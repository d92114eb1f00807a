"""The four services of the platform: intake, allocation, reply and feedback."""
