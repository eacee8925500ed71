"""The public front door's pages: the self-referral form and its acknowledgement, and the private
waiting-list link. No sign-in; nothing here reveals whether someone is a client."""
