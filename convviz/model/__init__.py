"""What the user chose and what each step shows, as plain data: settings, the step table, the 1×1 and separable
routes, pictures and kernels, and the code and arrays a lecture takes away. Imports from core and i18n only.
"""
