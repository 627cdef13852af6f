from django.http import HttpResponse


# Placeholders: the registration pages are built in the registration change.
def register(request):
    return HttpResponse("单位注册")


def lookup(request):
    return HttpResponse("单位查询")


def registration_queue(request):
    return HttpResponse("注册审核")
