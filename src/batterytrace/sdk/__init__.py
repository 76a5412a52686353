"""The SDK: one module per contract or operation family, and the BatteryTrace façade over them."""
