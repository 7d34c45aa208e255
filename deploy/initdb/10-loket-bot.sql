-- The assistant's conversations (Rasa's tracker store) in a database of their own, so that
-- the router's migrations and the tracker's table never meet.
CREATE DATABASE loket_bot OWNER loket;
