"""The maths: geometry and its checks, the correlation functions on TensorFlow (groups included), and the
textbook loop form. Imports nothing else from convviz.
"""
