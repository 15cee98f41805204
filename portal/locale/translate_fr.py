"""Fill portal's French catalogue (locale/fr/LC_MESSAGES/django.po) from FRENCH below.

Run after ``django-admin makemessages -l fr`` in portal/ (``make messages`` does
both and compiles the .mo). Strings missing here stay empty (English shown).
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).with_name("fr") / "LC_MESSAGES" / "django.po"

FRENCH = {
    "Enter a valid email address.": "Saisissez une adresse e-mail valide.",
    "Choose what you would like.": "Choisissez ce que vous souhaitez.",
    "Enter your name.": "Saisissez votre nom.",
    "This code has expired. Please start again.": "Ce code a expiré. Veuillez recommencer.",
    "Too many wrong codes. Please start again.": "Trop de codes erronés. Veuillez recommencer.",
    "That code is not right. Check the message and try again.": "Ce code n’est pas le bon. Vérifiez le message et réessayez.",
    "A copy of my data": "Une copie de mes données",
    "Correct my data": "Corriger mes données",
    "Delete my data": "Supprimer mes données",
    "Stop using my data for marketing": "Ne plus utiliser mes données pour la publicité",
    "Another question about my data": "Une autre question sur mes données",
    "What would you like?": "Que souhaitez-vous ?",
    "Your name": "Votre nom",
    "Your phone number or email address": "Votre numéro de téléphone ou adresse e-mail",
    "The one you gave when you bought Wi-Fi. We send a code there.": "Celui donné lors de l’achat du Wi-Fi. Nous y envoyons un code.",
    "Anything that helps (optional)": "Précisions utiles (facultatif)",
    "For a correction, say what is wrong and what is right.": "Pour une correction, indiquez ce qui est faux et ce qui est juste.",
    "The 6-digit code": "Le code à 6 chiffres",
    "Phone number or email you paid with": "Numéro de téléphone ou e-mail utilisé pour payer",
    "Payment reference": "Référence du paiement",
    "From your M-Pesa SMS (e.g. QKH3ABC123) or your card receipt (NP…).": "Dans votre SMS M-Pesa (ex. QKH3ABC123) ou votre reçu de carte (NP…).",
    "%(n)s day": ("%(n)s jour", "%(n)s jours"),
    "%(n)s hour": ("%(n)s heure", "%(n)s heures"),
    "%(n)s minute": ("%(n)s minute", "%(n)s minutes"),
    "%(n)s Mbit/s": "%(n)s Mbit/s",
    "%(code)s is your code to confirm your data request to %(name)s.": "%(code)s est votre code pour confirmer votre demande sur vos données auprès de %(name)s.",
    "That code is not valid. Check the letters and numbers and try again.": "Ce code n’est pas valide. Vérifiez les lettres et les chiffres et réessayez.",
    "This code has already been used up. Buy a package or ask for a new voucher.": "Ce code a déjà été utilisé. Achetez un forfait ou demandez un nouveau ticket.",
    "This code has expired. Buy a package or ask for a new voucher.": "Ce code a expiré. Achetez un forfait ou demandez un nouveau ticket.",
    "This code has been cancelled. Ask the staff for help.": "Ce code a été annulé. Demandez de l’aide au personnel.",
    "Type the code printed on your voucher.": "Saisissez le code imprimé sur votre ticket.",
    "We could not recognise your device. Disconnect from the Wi-Fi, connect again and open any website to come back to this page.": "Nous n’avons pas reconnu votre appareil. Déconnectez-vous du Wi-Fi, reconnectez-vous et ouvrez un site web pour revenir sur cette page.",
    "The Wi-Fi router is not answering right now. Wait a minute and try again; your code still works.": "Le routeur Wi-Fi ne répond pas pour le moment. Patientez une minute et réessayez ; votre code reste valable.",
    "The router did not accept the login. Please try again.": "Le routeur a refusé la connexion. Veuillez réessayer.",
    "The time or data of this code is used up.": "Le temps ou les données de ce code sont épuisés.",
    "This code is already in use on another device.": "Ce code est déjà utilisé sur un autre appareil.",
    "This code belongs to another device.": "Ce code appartient à un autre appareil.",
    "The router is busy. Please try again in a moment.": "Le routeur est occupé. Réessayez dans un instant.",
    "The router could not log you in. Please try again.": "Le routeur n’a pas pu vous connecter. Veuillez réessayer.",
    "This Wi-Fi is not fully set up yet, so we cannot connect you. Please tell the staff.": "Ce Wi-Fi n’est pas encore complètement configuré : impossible de vous connecter. Prévenez le personnel.",
    "The package of this code is no longer sold. Ask the staff for a new code.": "Le forfait de ce code n’est plus vendu. Demandez un nouveau code au personnel.",
    "This code cannot be used on this Wi-Fi network.": "Ce code ne peut pas être utilisé sur ce réseau Wi-Fi.",
    "Your device still has time left on another code. Use it up first, or buy a package that can be added on top.": "Votre appareil a encore du temps sur un autre code. Utilisez-le d’abord, ou achetez un forfait cumulable.",
    "This code cannot be used here. Ask the staff for help.": "Ce code ne peut pas être utilisé ici. Demandez de l’aide au personnel.",
    "This page was open for too long. Please try again.": "Cette page est restée ouverte trop longtemps. Veuillez réessayer.",
    "Too many wrong codes. For your security, try again in %(minutes)s minute (at %(time)s).": (
        "Trop de codes erronés. Pour votre sécurité, réessayez dans %(minutes)s minute (à %(time)s).",
        "Trop de codes erronés. Pour votre sécurité, réessayez dans %(minutes)s minutes (à %(time)s).",
    ),
    "Too many attempts. Please try again in %(minutes)s minutes.": "Trop de tentatives. Réessayez dans %(minutes)s minutes.",
    "Choose a way to pay.": "Choisissez un moyen de paiement.",
    "Enter the M-Pesa phone number to pay with.": "Saisissez le numéro M-Pesa avec lequel payer.",
    "Enter your email address for the card payment.": "Saisissez votre adresse e-mail pour le paiement par carte.",
    "The Wi-Fi router is not answering yet.": "Le routeur Wi-Fi ne répond pas encore.",
    "%(name)s Wi-Fi: your code is %(code)s (%(package)s). Keep it to reconnect.": "Wi-Fi %(name)s : votre code est %(code)s (%(package)s). Gardez-le pour vous reconnecter.",
    "Someone — we hope you — asked %(operator)s about the data it holds about you, on its Wi-Fi page.": "Quelqu’un — vous, nous l’espérons — a interrogé %(operator)s sur les données qu’il détient à votre sujet, depuis sa page Wi-Fi.",
    "Your code: %(code)s": "Votre code : %(code)s",
    "Type it on the page within 10 minutes. If you did not ask, ignore this email: nothing happens without the code.": "Saisissez-le sur la page dans les 10 minutes. Si vous n’avez rien demandé, ignorez cet e-mail : rien ne se passe sans le code.",
    "Your code for %(operator)s": "Votre code pour %(operator)s",
    "Thank you for buying %(package)s from %(operator)s.": "Merci d’avoir acheté %(package)s auprès de %(operator)s.",
    "Your Wi-Fi code: %(code)s": "Votre code Wi-Fi : %(code)s",
    "Keep this email: type the code on the Wi-Fi page to connect again later.": "Gardez cet e-mail : saisissez le code sur la page Wi-Fi pour vous reconnecter plus tard.",
    "Payment reference: %(reference)s": "Référence du paiement : %(reference)s",
    "Your Wi-Fi code from %(operator)s": "Votre code Wi-Fi de %(operator)s",
    "About this Wi-Fi": "À propos de ce Wi-Fi",
    "Terms": "Conditions",
    "Privacy notice": "Confidentialité",
    "Your data": "Vos données",
    "Lost your voucher?": "Ticket perdu ?",
    "Wi-Fi by %(name)s": "Wi-Fi proposé par %(name)s",
    "Buy": "Acheter",
    "Buy %(name)s": "Acheter %(name)s",
    "Pay with M-Pesa": "Payer avec M-Pesa",
    "M-Pesa phone number": "Numéro de téléphone M-Pesa",
    "You will get a prompt on this phone: enter your M-Pesa PIN there. Your code also comes by SMS.": "Une demande s’affichera sur ce téléphone : saisissez-y votre code PIN M-Pesa. Votre code arrive aussi par SMS.",
    "Pay %(price)s with M-Pesa": "Payer %(price)s avec M-Pesa",
    "Pay by card": "Payer par carte",
    "Your email address": "Votre adresse e-mail",
    "For the receipt and your code.": "Pour le reçu et votre code.",
    "Phone number for an SMS with your code (optional)": "Numéro de téléphone pour recevoir le code par SMS (facultatif)",
    "Pay %(price)s by card": "Payer %(price)s par carte",
    "Pay at the counter": "Payer au comptoir",
    "You will get a voucher code to type on this page.": "Vous recevrez un code à saisir sur cette page.",
    "Back": "Retour",
    "You are connected": "Vous êtes connecté",
    "Your device is online. Enjoy the Internet!": "Votre appareil est en ligne. Bonne navigation !",
    "Your code is ready": "Votre code est prêt",
    "We could not reach the Wi-Fi router to log you in. Open any website: when the router's login page appears, type the code below.": "Nous n’avons pas pu joindre le routeur Wi-Fi pour vous connecter. Ouvrez un site web : quand la page de connexion du routeur apparaît, saisissez le code ci-dessous.",
    "Your voucher code — keep it to reconnect later:": "Votre code — gardez-le pour vous reconnecter plus tard :",
    "Continue to the website you wanted": "Continuer vers le site demandé",
    "Voucher code": "Code du ticket",
    "Capital or small letters, with or without dashes.": "Majuscules ou minuscules, avec ou sans tirets.",
    "Connect": "Se connecter",
    "Buy a package": "Acheter un forfait",
    "No packages are on sale on this page yet, or no way to pay is set up.": "Aucun forfait n’est encore en vente sur cette page, ou aucun moyen de paiement n’est configuré.",
    "Need help?": "Besoin d’aide ?",
    "Call %(phone)s": "Appeler le %(phone)s",
    "Message us on WhatsApp": "Nous écrire sur WhatsApp",
    "We also sent it to %(sent_to)s.": "Nous l’avons aussi envoyé au %(sent_to)s.",
    "Connect now": "Se connecter maintenant",
    "I have paid — check now": "J’ai payé — vérifier maintenant",
    "Try again": "Réessayer",
    "This page updates itself.": "Cette page se met à jour toute seule.",
    "Refresh now": "Actualiser maintenant",
    "This Wi-Fi is run by %(name)s. %(name)s decides what happens to the information about you (it is the “data controller”) and answers your questions about it.": "Ce Wi-Fi est exploité par %(name)s. %(name)s décide de l’usage des informations vous concernant (c’est le « responsable du traitement ») et répond à vos questions à ce sujet.",
    "To connect you, the Wi-Fi uses your device's MAC and IP address, the voucher code you type and, if you buy a package, your phone number or email address and the payment reference. It keeps a record of your sessions and payments as the law on accounting requires.": "Pour vous connecter, le Wi-Fi utilise l’adresse MAC et l’adresse IP de votre appareil, le code que vous saisissez et, si vous achetez un forfait, votre numéro de téléphone ou votre adresse e-mail et la référence du paiement. Il conserve un historique de vos sessions et paiements, comme la loi comptable l’exige.",
    "This page sets no cookies, shows no adverts and loads nothing from other websites.": "Cette page ne dépose aucun cookie, n’affiche aucune publicité et ne charge rien depuis d’autres sites.",
    "You can ask for a copy of your data, have it corrected or have it deleted.": "Vous pouvez demander une copie de vos données, leur correction ou leur suppression.",
    "Ask about your data": "Poser une question sur vos données",
    "You can also call %(phone)s.": "Vous pouvez aussi appeler le %(phone)s.",
    "Find my voucher": "Retrouver mon ticket",
    "Your voucher code:": "Votre code :",
    "Connect with this code": "Se connecter avec ce code",
    "Paid but lost the page? Give the phone number or email you paid with and the payment reference from your M-Pesa SMS or card receipt.": "Vous avez payé mais perdu la page ? Indiquez le numéro de téléphone ou l’e-mail utilisé pour payer et la référence du paiement (SMS M-Pesa ou reçu de carte).",
    "This Wi-Fi sign-in page is not available right now. Please ask the staff for help.": "Cette page de connexion Wi-Fi n’est pas disponible pour le moment. Demandez de l’aide au personnel.",
    "%(name)s runs this Wi-Fi and is responsible for your data. Ask it for a copy of your data, a correction or a deletion here.": "%(name)s exploite ce Wi-Fi et est responsable de vos données. Demandez-lui ici une copie, une correction ou la suppression de vos données.",
    "Send me a code": "M’envoyer un code",
    "We send a one-time code to the phone number or email address on file, to check the request comes from you.": "Nous envoyons un code à usage unique au numéro ou à l’adresse e-mail enregistrés, pour vérifier que la demande vient bien de vous.",
    "Enter your code": "Saisissez votre code",
    "If %(destination)s is on file, a 6-digit code is on its way. It works for 10 minutes.": "Si %(destination)s est enregistré, un code à 6 chiffres est en route. Il est valable 10 minutes.",
    "Send my request": "Envoyer ma demande",
    "No code after a few minutes? Your details may not be on file: ask the staff.": "Pas de code après quelques minutes ? Vos coordonnées ne sont peut-être pas enregistrées : demandez au personnel.",
    "Start again": "Recommencer",
    "Request sent": "Demande envoyée",
    "Your request is with %(name)s.": "Votre demande a été transmise à %(name)s.",
    "Reference: <strong>%(ref)s</strong>": "Référence : <strong>%(ref)s</strong>",
    "%(name)s will answer you within 30 days.": "%(name)s vous répondra sous 30 jours.",
    "Back to the Wi-Fi page": "Retour à la page Wi-Fi",
    "This package is no longer sold. Please choose another.": "Ce forfait n’est plus vendu. Veuillez en choisir un autre.",
    "The payment could not be started. No money was taken. Please try again.": "Le paiement n’a pas pu démarrer. Aucun argent n’a été prélevé. Veuillez réessayer.",
    "Payment received. Your device is online. Enjoy the Internet!": "Paiement reçu. Votre appareil est en ligne. Bonne navigation !",
    "Payment received": "Paiement reçu",
    "Your code is ready. Tap “Connect now” to go online.": "Votre code est prêt. Touchez « Se connecter maintenant » pour aller en ligne.",
    "Your code is ready. Type it in the voucher box of the Wi-Fi page to go online.": "Votre code est prêt. Saisissez-le dans la case du ticket sur la page Wi-Fi pour aller en ligne.",
    "Payment not completed": "Paiement non abouti",
    "The payment was cancelled or did not go through. No money was taken.": "Le paiement a été annulé ou n’a pas abouti. Aucun argent n’a été prélevé.",
    "Your payment is safe, but we could not create your code automatically. Please show the payment reference below to the staff.": "Votre paiement est bien reçu, mais nous n’avons pas pu créer votre code automatiquement. Montrez la référence du paiement ci-dessous au personnel.",
    "The Wi-Fi router is not answering yet; we keep trying. You have paid once and will not be charged again.": "Le routeur Wi-Fi ne répond pas encore ; nous continuons d’essayer. Vous avez payé une fois et ne serez pas débité à nouveau.",
    "Getting you online…": "Connexion en cours…",
    "Checking your payment": "Vérification de votre paiement",
    "The payment network has not confirmed it yet. If money left your account you will get your code: keep your M-Pesa message.": "Le réseau de paiement ne l’a pas encore confirmé. Si l’argent a quitté votre compte, vous recevrez votre code : gardez votre message M-Pesa.",
    "Check your phone: enter your M-Pesa PIN in the prompt to pay.": "Regardez votre téléphone : saisissez votre code PIN M-Pesa dans la demande pour payer.",
    "Finish the card payment in the Paystack window.": "Terminez le paiement par carte dans la fenêtre Paystack.",
    "Still waiting for the payment. Paid already? Check now. No prompt? Try again.": "Paiement toujours en attente. Déjà payé ? Vérifiez maintenant. Pas de demande reçue ? Réessayez.",
    "Waiting for your payment": "En attente de votre paiement",
    "We found no paid voucher for these details. Check the reference.": "Aucun ticket payé ne correspond à ces informations. Vérifiez la référence.",
    "kind": "type",
    "text": "texte",
    "Enter a phone number.": "Saisissez un numéro de téléphone.",
    "Enter a valid phone number, e.g. +233 20 123 4567.": "Saisissez un numéro de téléphone valide, par ex. +233 20 123 4567.",
    "This is not a valid phone number for its country.": "Ce numéro de téléphone n’est pas valide pour son pays.",
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(block: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    return "".join(parts).replace('\\"', '"').replace("\\\\", "\\")


def fill(text: str) -> tuple[str, list[str]]:
    entries = text.split("\n\n")
    missing = []
    header = (
        entries[0]
        .replace("#, fuzzy\n", "")
        .replace("charset=CHARSET", "charset=UTF-8")
        .replace('"Language: \\n"', '"Language: fr\\n"')
        .replace("PACKAGE VERSION", "NettPortal portal")
        .replace(
            '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"',
            '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"',
        )
    )
    out = [header]
    for entry in entries[1:]:
        match = re.search(r"^msgid ((?:\".*\"\n?)+)", entry, re.M)
        if not match:
            out.append(entry)
            continue
        msgid = _unquote(match.group(1))
        head = entry[: entry.index("msgstr")]
        head = head.replace("#, fuzzy\n", "")
        french = FRENCH.get(msgid)
        if french is None:
            missing.append(msgid)
            out.append(entry)
        elif isinstance(french, tuple):
            out.append(head + f"msgstr[0] {_quote(french[0])}\nmsgstr[1] {_quote(french[1])}")
        else:
            out.append(head + f"msgstr {_quote(french)}")
    return "\n\n".join(out), missing


if __name__ == "__main__":
    filled, missing = fill(PO.read_text(encoding="utf-8"))
    PO.write_text(filled if filled.endswith("\n") else filled + "\n", encoding="utf-8")
    sys.stderr.write(f"{len(missing)} strings left in English (dashboard-only strings are fine)\n")
