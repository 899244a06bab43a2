"""The cart: one cart across sellers for a buyer or a guest, priced live, with the shipping
option chosen per seller. The orders domain reads it at checkout through :mod:`.service`."""
