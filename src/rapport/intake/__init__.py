"""The front door's domain: referrals (self-referral and referral by a professional), the intake
team's triage, and the watched waiting list."""
