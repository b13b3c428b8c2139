"""Plain-Python helpers both environments use (the Rasa server's and the application's).

Standard library only: nothing here imports rasa, the application (`bot`, `actions`) or
`rasa_server`, so either side may import it.
"""
